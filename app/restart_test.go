package app

import (
	"reflect"
	"testing"
)

func TestRestartArgsDropHidden(t *testing.T) {
	got := restartArgs([]string{"/opt/cloudbridge", "--hidden", "--data", "/d", "-hidden=true", "--demo"})
	want := []string{"/opt/cloudbridge", "--data", "/d", "--demo"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%v", got)
	}
	// A data directory named "hidden" is a value, not the flag.
	got = restartArgs([]string{"cb", "--data", "hidden"})
	if !reflect.DeepEqual(got, []string{"cb", "--data", "hidden"}) {
		t.Fatalf("%v", got)
	}
}
