package attach

import (
	"fmt"
	"io"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/host"
	"github.com/gobpftrace/gobpftrace/runtime/tracefs"
)

// attachTracepoint attaches a tracepoint program, with the attach cookie
// by which a program shared by several tracepoints finds its probe's name.
func attachTracepoint(p *codegen.Program, prog *ebpf.Program, env Env) ([]io.Closer, error) {
	a := p.Attach
	if _, err := tracefs.Dir(); err != nil {
		return nil, err
	}
	l, err := link.Tracepoint(a.Category, a.Event, prog, &link.TracepointOptions{Cookie: p.Cookie})
	if err != nil && isWildcard(a.Point) {
		// A wildcard names the events it finds; one the kernel will
		// not attach to (irq_vectors:irq_work_exit here) is skipped,
		// as bpftrace skips it, not the end of the run.
		env.skip(fmt.Sprintf("could not attach probe %s, skipping it: %s", ProbeName(p), host.ErrnoText(err)))
		return nil, nil
	}
	if err != nil {
		return nil, attachError(p, err)
	}
	return []io.Closer{newTracepointAttachment(l)}, nil
}
