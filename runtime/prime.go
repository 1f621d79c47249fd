package runtime

import (
	"context"
	"encoding/binary"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/lang"
)

// primeInterval is how often the maps holding user stacks or usym values
// are scanned for new processes while tracing.
const primeInterval = 200 * time.Millisecond

// userPidOffsets returns where values of type t (laid out as lang/layout.go
// says) hold the pid of a ustack or usym.
func userPidOffsets(t *lang.Type, base int) []int {
	if t == nil {
		return nil
	}
	switch t.Kind {
	case lang.KStack, lang.KSym:
		if t.UserSpace {
			return []int{base + 8}
		}
	case lang.KTuple:
		var out []int
		offs := lang.TupleOffsets(t)
		for i, e := range t.Elems {
			out = append(out, userPidOffsets(e, base+offs[i])...)
		}
		return out
	}
	return nil
}

// primeUserSymbols reads /proc/PID/maps of every process whose user stacks
// or usym values the script keeps in map keys, while the processes are
// alive, so that printing at exit still resolves their symbols. It returns
// when ctx is done.
func (s *session) primeUserSymbols(ctx context.Context) {
	type target struct {
		m    *ebpf.Map
		offs []int
	}
	var targets []target
	for _, m := range s.plan.Maps {
		offs := userPidOffsets(m.Key, 0)
		if len(offs) == 0 {
			continue
		}
		if km := s.loaded.Maps[m.Name]; km != nil {
			targets = append(targets, target{km, offs})
		}
	}
	if len(targets) == 0 {
		return
	}
	seen := map[uint32]bool{}
	scan := func() {
		for _, t := range targets {
			var key, next []byte
			for i := 0; i < 1<<16; i++ {
				var err error
				if i == 0 {
					err = t.m.NextKey(nil, &next)
				} else {
					err = t.m.NextKey(key, &next)
				}
				if err != nil {
					break
				}
				for _, off := range t.offs {
					if off+4 <= len(next) {
						pid := binary.LittleEndian.Uint32(next[off:])
						if !seen[pid] {
							seen[pid] = true
							s.syms.Prime(pid)
						}
					}
				}
				key = append(key[:0], next...)
			}
		}
	}
	tick := time.NewTicker(primeInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			scan()
			return
		case <-tick.C:
			scan()
		}
	}
}
