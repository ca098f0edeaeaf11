package inventory

import (
	"reflect"
	"testing"
)

// Since and Union work kind by kind: what appeared, and what either holds.
func TestSinceAndUnion(t *testing.T) {
	a := Snapshot{Containers: map[string]string{"c1": "web"}, Networks: map[string]string{"n1": "lab"}}
	b := Snapshot{Containers: map[string]string{"c1": "web", "c2": "db"}, Volumes: map[string]string{"v1": "data"}}
	if got := a.Since(b); !reflect.DeepEqual(got.Containers, map[string]string{"c2": "db"}) ||
		len(got.Networks) != 0 || !reflect.DeepEqual(got.Volumes, map[string]string{"v1": "data"}) {
		t.Errorf("Since = %+v", got)
	}
	u := a.Union(b)
	if !reflect.DeepEqual(u.Containers, map[string]string{"c1": "web", "c2": "db"}) ||
		!reflect.DeepEqual(u.Networks, map[string]string{"n1": "lab"}) ||
		!reflect.DeepEqual(u.Volumes, map[string]string{"v1": "data"}) || u.Images == nil {
		t.Errorf("Union = %+v", u)
	}
	if len(a.Containers) != 1 {
		t.Error("Union changed its receiver")
	}
}
