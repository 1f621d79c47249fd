package host

import "testing"

func TestParseCPUList(t *testing.T) {
	got, err := ParseCPUList("0-2,4,6-7")
	if err != nil {
		t.Fatal(err)
	}
	want := []int{0, 1, 2, 4, 6, 7}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v", got)
		}
	}
	if _, err := ParseCPUList("3-1"); err == nil {
		t.Error("no error for 3-1")
	}
}
