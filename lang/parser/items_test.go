package parser

import (
	"fmt"
	"reflect"
	"testing"
)

// Parse converts the generated parser's items one at a time, reusing the
// nodes of one for the next; the program must be exactly what converting
// participle's whole tree gives (spans included), and the errors the
// same, for every script of the corpus and its truncations.
func TestItemParseMatchesTreeParse(t *testing.T) {
	srcs := corpus(t)
	same := 0
	for name, src := range srcs {
		byItems, ierr := parse(name, src, true)
		byTree, terr := parse(name, src, false)
		if fmt.Sprint(ierr) != fmt.Sprint(terr) {
			t.Errorf("%s: error by items:\n%v\nby the tree:\n%v", name, ierr, terr)
			continue
		}
		if !reflect.DeepEqual(byItems, byTree) {
			t.Errorf("%s: the programs differ:\n%s", name, src)
			continue
		}
		if ierr == nil {
			same++
		}
	}
	if same < 200 {
		t.Errorf("only %d scripts parsed", same)
	}
}
