{{/*
Labels of every object. app.kubernetes.io/name matches config/ (kustomize adds it everywhere).
*/}}
{{- define "tessera.labels" -}}
app.kubernetes.io/name: tessera
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The manager's pods, as config/manager selects them: the Deployment's selector is immutable, and
the Services select the same pods.
*/}}
{{- define "tessera.selectorLabels" -}}
app.kubernetes.io/name: tessera
control-plane: controller-manager
{{- end }}

{{- define "tessera.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* The manager's default for --bootstrap-admin-secret. */}}
{{- define "tessera.bootstrapSecretName" -}}
{{ .Values.bootstrapAdmin.secretName | default "tessera-bootstrap-admin" }}
{{- end }}

{{/* Where the REST APIs are reached from outside: the first Ingress host, if any. */}}
{{- define "tessera.externalURL" -}}
{{- if .Values.ingress.enabled -}}
{{- $host := (first .Values.ingress.hosts).host -}}
{{ if .Values.ingress.tls }}https{{ else }}http{{ end }}://{{ $host }}
{{- end -}}
{{- end }}
