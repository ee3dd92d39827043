package store

import (
	"fmt"
	"slices"
	"testing"
)

type ranged struct {
	ID string `json:"id"`
	N  int    `json:"n"`
}

// Range walks [from, to) either way, stops when asked, and decodes only on
// demand; a neighbouring collection whose name shares the prefix is never
// visited.
func TestRangeBothWays(t *testing.T) {
	db := openTemp(t, t.TempDir(), testKey(t))
	defer db.Close()
	c := NewCollection[ranged]("rangetest", func(r *ranged) string { return r.ID })
	other := NewCollection[ranged]("rangetest2", func(r *ranged) string { return r.ID })
	db.Update(func(tx *Tx) error {
		for i := 0; i < 10; i++ {
			c.Put(tx, &ranged{ID: fmt.Sprintf("%02d", i), N: i})
			other.Put(tx, &ranged{ID: fmt.Sprintf("%02d", i), N: 100 + i})
		}
		return nil
	})
	walk := func(from, to string, desc bool, max int) []int {
		var out []int
		err := db.View(func(tx *Tx) error {
			return c.Range(tx, from, to, desc, func(id string, v func() (ranged, error)) (bool, error) {
				r, err := v()
				if err != nil || r.ID != id {
					return false, fmt.Errorf("decode %s: %v %+v", id, err, r)
				}
				out = append(out, r.N)
				return len(out) < max, nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, tc := range []struct {
		from, to string
		desc     bool
		max      int
		want     []int
	}{
		{"", "", false, 99, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"", "", true, 99, []int{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}},
		{"03", "06", false, 99, []int{3, 4, 5}},
		{"03", "06", true, 99, []int{5, 4, 3}},
		{"", "02", true, 99, []int{1, 0}},
		{"08", "", false, 99, []int{8, 9}},
		{"", "055", true, 2, []int{5, 4}}, // a bound between ids
		{"", "", true, 3, []int{9, 8, 7}},
		{"20", "", false, 99, nil},
	} {
		if got := walk(tc.from, tc.to, tc.desc, tc.max); !slices.Equal(got, tc.want) {
			t.Errorf("[%q,%q) desc=%v max=%d = %v, want %v", tc.from, tc.to, tc.desc, tc.max, got, tc.want)
		}
	}
}
