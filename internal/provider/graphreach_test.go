package provider

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// TestNoGraphClientBehindInterfaces enforces the size rule written on clients.Client: nothing the provider hands
// Terraform's framework as an interface value (the provider, every resource, data source and ephemeral resource,
// and the *clients.Client they are configured with) may lead to msgraph-sdk-go's GraphServiceClient or a request
// builder, through a field, a map, a slice, or the parameters and results of an exported method. go-plugin's
// net/rpc server calls reflect.Type.Method, so the linker keeps every exported method of every type reachable that
// way: one GraphServiceClient field or method result links all of Graph's request builders (129 MB instead of
// 48 MB). The test walks the types as the linker does, and the values of clients built for each way of signing in,
// whose interfaces (credential, Graph adapter, ARM pipeline) hold types the static walk cannot see.
//
// Reflection sees only exported methods; an unexported method returning a GraphServiceClient measured harmless
// (47.8 MB), but clients.Graph, a plain function, is the way to build one. Closures are opaque to reflection: do
// not capture a GraphServiceClient in a func kept in a struct either.
func TestNoGraphClientBehindInterfaces(t *testing.T) {
	w := graphReach{seenType: map[reflect.Type]bool{}, seenPtr: map[uintptr]bool{}}
	p, ok := New("test")().(*breakglassProvider)
	if !ok {
		t.Fatal("New returns a *breakglassProvider")
	}
	w.typ(reflect.TypeOf(p), "provider")
	ctx := context.Background()
	for _, f := range p.Resources(ctx) {
		r := f()
		w.typ(reflect.TypeOf(r), reflect.TypeOf(r).String())
	}
	for _, f := range p.DataSources(ctx) {
		d := f()
		w.typ(reflect.TypeOf(d), reflect.TypeOf(d).String())
	}
	for _, f := range p.EphemeralResources(ctx) {
		e := f()
		w.typ(reflect.TypeOf(e), reflect.TypeOf(e).String())
	}
	w.typ(reflect.TypeFor[*clients.Client](), "*clients.Client")

	for name, cfg := range map[string]clients.Config{
		"no credentials":   {Environment: "public"},
		"client secret":    {Environment: "public", TenantID: "00000000-0000-0000-0000-000000000001", ClientID: "00000000-0000-0000-0000-000000000002", ClientSecret: "s"},
		"managed identity": {Environment: "public", UseMSI: true},
		"Azure CLI":        {Environment: "public", UseCLI: true},
	} {
		c, err := clients.New(ctx, cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		w.value(reflect.ValueOf(c), "clients.New("+name+")")
	}

	for i, f := range w.found {
		if i == 10 {
			t.Errorf("... and %d more", len(w.found)-i)
			break
		}
		t.Errorf("a Graph client or request builder is reachable from a value the provider stores in an interface, "+
			"which links every request builder of Graph (see clients.Client): %s", f)
	}
	if len(w.seenType) < 100 {
		t.Fatalf("walked only %d types: the walk is broken", len(w.seenType))
	}
}

// isGraphClient reports msgraph-sdk-go's GraphServiceClient and the request builders of its subpackages (models,
// whose types only the request builders and the provider's own reads reach, is fine).
func isGraphClient(t reflect.Type) bool {
	const sdk = "github.com/microsoftgraph/msgraph-sdk-go"
	pkg, name := t.PkgPath(), t.Name()
	switch {
	case pkg == sdk:
		return name == "GraphServiceClient" || name == "GraphBaseServiceClient"
	case strings.HasPrefix(pkg, sdk+"/models"):
		return false
	case strings.HasPrefix(pkg, sdk+"/"):
		return strings.HasSuffix(name, "RequestBuilder")
	}
	return false
}

// graphReach walks types (and values, for what their interfaces hold) and records the paths to Graph clients.
type graphReach struct {
	seenType map[reflect.Type]bool
	seenPtr  map[uintptr]bool
	found    []string
}

// typ follows what the linker follows from a type converted to an interface: element, key and field types, and
// the signatures of exported methods (of the type and of its pointer).
func (w *graphReach) typ(t reflect.Type, path string) {
	if t == nil || w.seenType[t] {
		return
	}
	w.seenType[t] = true
	if isGraphClient(t) || t.Kind() == reflect.Pointer && isGraphClient(t.Elem()) {
		w.found = append(w.found, path+" ("+t.String()+")")
		return
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
		w.typ(t.Elem(), path)
	case reflect.Map:
		w.typ(t.Key(), path+"[key]")
		w.typ(t.Elem(), path+"[value]")
	case reflect.Struct:
		for i := range t.NumField() {
			w.typ(t.Field(i).Type, path+"."+t.Field(i).Name)
		}
	case reflect.Func:
		for i := range t.NumIn() {
			w.typ(t.In(i), path+" argument")
		}
		for i := range t.NumOut() {
			w.typ(t.Out(i), path+" result")
		}
	}
	for i := range t.NumMethod() {
		m := t.Method(i)
		w.typ(m.Type, path+"."+m.Name+"()")
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		w.typ(reflect.PointerTo(t), path)
	}
}

// value walks a value for the dynamic types its interfaces hold, and walks those types.
func (w *graphReach) value(v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		e := v.Elem()
		w.typ(e.Type(), path)
		w.value(e, path+" ("+e.Type().String()+")")
	case reflect.Pointer:
		if v.IsNil() || w.seenPtr[v.Pointer()] {
			return
		}
		w.seenPtr[v.Pointer()] = true
		w.typ(v.Type(), path)
		w.value(v.Elem(), path)
	case reflect.Struct:
		for i := range v.NumField() {
			w.value(v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			w.value(v.Index(i), path+"[]")
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			w.value(it.Key(), path+"[key]")
			w.value(it.Value(), path+"[value]")
		}
	}
}
