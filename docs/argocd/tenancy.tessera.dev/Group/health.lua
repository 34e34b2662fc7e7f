-- Argo CD health of Tessera's Groups, Accounts, Tokens and Admins (tenancy.tessera.dev), from
-- the conditions their controllers report for kstatus (README: GitOps health):
--   Progressing  the controller has not observed the latest spec yet, or Reconciling=True
--   Degraded     Stalled=True: someone must act; the message says what
--   Suspended    Ready, but frozen by a hierarchy lock (Locked=True: its own or an ancestor Group's);
--                an Account also while disabled or not approved
--   Healthy      Ready=True
-- One script serves every kind; Argo CD wants it once per kind, so docs/argocd/health.lua is
-- copied to tenancy.tessera.dev/<Kind>/health.lua and into argocd-cm.yaml. A test keeps the
-- copies identical (TESSERA_UPDATE_DOCS=1 rewrites them).
local function condition(name)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == name then
      return c
    end
  end
  return nil
end

local function explain(c)
  return (c.reason or "") .. ": " .. (c.message or "")
end

local hs = { status = "Progressing", message = "waiting for the " .. obj.kind .. " controller" }
if obj.metadata.deletionTimestamp ~= nil then
  hs.message = "the " .. obj.kind .. " is being deleted"
  return hs
end
if obj.status == nil or obj.status.observedGeneration ~= obj.metadata.generation then
  hs.message = "the " .. obj.kind .. " controller has not observed generation " .. tostring(obj.metadata.generation) .. " yet"
  return hs
end
local stalled, reconciling = condition("Stalled"), condition("Reconciling")
local ready, locked = condition("Ready"), condition("Locked")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = explain(stalled)
elseif reconciling ~= nil and reconciling.status == "True" then
  hs.message = explain(reconciling)
elseif ready == nil or ready.status ~= "True" then
  if ready ~= nil then
    hs.message = explain(ready)
  end
elseif locked ~= nil and locked.status == "True" then
  -- A lock freezes on purpose and is lifted by unlocking: paused, not broken.
  hs.status = "Suspended"
  hs.message = locked.message
elseif obj.kind == "Account" and obj.spec.disabled == true then
  hs.status = "Suspended"
  hs.message = "the Account is disabled: it cannot sign in"
elseif obj.kind == "Account" and obj.spec.approval ~= nil and obj.spec.approval ~= "approved" then
  hs.status = "Suspended"
  hs.message = "the Account cannot sign in until it is approved (approval: " .. obj.spec.approval .. ")"
else
  hs.status = "Healthy"
  hs.message = ready.message
end
return hs
