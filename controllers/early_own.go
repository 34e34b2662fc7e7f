package controllers

import (
	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"
)

// ownKindEarly is a controller's watch of its own kind (what For would add) as an early watch
// (watchEarly): For's replay of every Account or Token after the sync was the largest of the
// start's bursts. It returns the log constructor For would have given the controller too, so
// that each reconcile's lines still name the object by its kind.
func ownKindEarly(mgr ctrl.Manager, name string, obj client.Object) (source.SyncingSource, func(*reconcile.Request) logr.Logger, error) {
	gvk, err := apiutil.GVKForObject(obj, mgr.GetScheme())
	if err != nil {
		return nil, nil, err
	}
	src, err := watchEarly(mgr.GetCache(), obj, &handler.EnqueueRequestForObject{})
	if err != nil {
		return nil, nil, err
	}
	return src, kindLogs(mgr.GetLogger(), name, gvk), nil
}

// kindLogs is the builder's log constructor for a controller of gvk named name: a reconcile's
// logger says the controller, its kind, and the object under its kind's name.
func kindLogs(base logr.Logger, name string, gvk schema.GroupVersionKind) func(*reconcile.Request) logr.Logger {
	log := base.WithValues("controller", name, "controllerGroup", gvk.Group, "controllerKind", gvk.Kind)
	return func(req *reconcile.Request) logr.Logger {
		if req == nil {
			return log
		}
		return log.WithValues(gvk.Kind, klog.KRef(req.Namespace, req.Name), "namespace", req.Namespace, "name", req.Name)
	}
}
