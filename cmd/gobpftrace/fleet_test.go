package main

// What can be checked here of the fleet recipe (docs/fleet.md), with no
// cluster: the manifests parse, their containers run gobpftrace with
// flags it accepts, the scripts they carry run with only the capabilities
// they list, and the image's build command gives a static binary.

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const fleetDir = "../../docs/fleet"

// k8sObject is the part of a Kubernetes object the checks read.
type k8sObject struct {
	Kind     string
	Metadata struct {
		Name        string
		Namespace   string
		Annotations map[string]string
	}
	Data map[string]string // ConfigMap
	Spec struct {
		Template podTemplate // DaemonSet, Job
	}
}

type podTemplate struct {
	Metadata struct {
		Annotations map[string]string
	}
	Spec struct {
		HostPID    bool `yaml:"hostPID"`
		Containers []struct {
			Name          string
			Command, Args []string
			Ports         []struct {
				ContainerPort int `yaml:"containerPort"`
			}
			SecurityContext struct {
				Capabilities struct{ Add, Drop []string }
			} `yaml:"securityContext"`
			VolumeMounts []struct {
				Name      string
				MountPath string `yaml:"mountPath"`
			} `yaml:"volumeMounts"`
		}
		Volumes []struct {
			Name      string
			ConfigMap *struct{ Name string } `yaml:"configMap"`
			HostPath  *struct{ Path string } `yaml:"hostPath"`
		}
	}
}

// readManifest decodes every document of a YAML file.
func readManifest(t *testing.T, name string) []k8sObject {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fleetDir, name))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(false)
	var objs []k8sObject
	for {
		var o k8sObject
		err := dec.Decode(&o)
		if err != nil {
			if err.Error() == "EOF" {
				return objs
			}
			t.Fatalf("%s: %v", name, err)
		}
		if o.Kind == "" {
			t.Fatalf("%s: a document without kind", name)
		}
		objs = append(objs, o)
	}
}

// workload is the pod of a DaemonSet or Job and what it runs.
type workload struct {
	pod     podTemplate
	args    []string          // gobpftrace's arguments
	opts    *options          // as gobpftrace parses them
	scripts map[string]string // path in the container -> script text
	caps    []string          // capabilities added
}

// fleetWorkload finds the one object of kind in a manifest, checks its
// container's command line with gobpftrace's own parser, and resolves the
// script it names from the ConfigMap mounted there.
func fleetWorkload(t *testing.T, name, kind string) workload {
	t.Helper()
	objs := readManifest(t, name)
	configMaps := map[string]map[string]string{}
	var found *k8sObject
	for i, o := range objs {
		switch o.Kind {
		case "ConfigMap":
			configMaps[o.Metadata.Name] = o.Data
		case kind:
			found = &objs[i]
		}
	}
	if found == nil {
		t.Fatalf("%s: no %s", name, kind)
	}
	pod := found.Spec.Template
	if len(pod.Spec.Containers) != 1 {
		t.Fatalf("%s: want one container, got %d", name, len(pod.Spec.Containers))
	}
	c := pod.Spec.Containers[0]
	if len(c.Command) != 0 {
		t.Fatalf("%s: the image's entrypoint is gobpftrace: give args, not command %q", name, c.Command)
	}
	o, err := parseArgs(c.Args)
	if err != nil {
		t.Fatalf("%s: gobpftrace refuses the arguments %q: %v", name, c.Args, err)
	}
	if !pod.Spec.HostPID {
		t.Errorf("%s: hostPID is not set", name)
	}
	if !slices.Equal(c.SecurityContext.Capabilities.Drop, []string{"ALL"}) {
		t.Errorf("%s: capabilities drop %q, want [ALL]", name, c.SecurityContext.Capabilities.Drop)
	}
	w := workload{pod: pod, args: c.Args, opts: o, scripts: map[string]string{}, caps: c.SecurityContext.Capabilities.Add}
	// Volumes: the scripts from a ConfigMap, tracefs and BTF from the node.
	hostPaths := map[string]string{}
	for _, m := range c.VolumeMounts {
		for _, v := range pod.Spec.Volumes {
			switch {
			case v.Name != m.Name:
			case v.ConfigMap != nil:
				data, ok := configMaps[v.ConfigMap.Name]
				if !ok {
					t.Errorf("%s: volume %s names ConfigMap %s, which the file does not hold", name, v.Name, v.ConfigMap.Name)
				}
				for file, text := range data {
					w.scripts[m.MountPath+"/"+file] = text
				}
			case v.HostPath != nil:
				hostPaths[m.MountPath] = v.HostPath.Path
			}
		}
	}
	for _, p := range []string{"/sys/kernel/tracing", "/sys/kernel/btf"} {
		if hostPaths[p] != p {
			t.Errorf("%s: the node's %s is not mounted at %s", name, p, p)
		}
	}
	if len(o.positional) != 1 || w.scripts[o.positional[0]] == "" {
		t.Fatalf("%s: the arguments name script %q, which no ConfigMap volume holds (%d scripts)", name, o.positional, len(w.scripts))
	}
	return w
}

// withCaps is setpriv limiting a root process to the manifest's added
// capabilities, as the container runtime does.
func withCaps(caps []string) []string {
	set := "-all"
	for _, c := range caps {
		set += ",+" + strings.ToLower(c)
	}
	return []string{"setpriv", "--bounding-set=" + set, "--"}
}

func TestFleetDaemonSet(t *testing.T) {
	requireRoot(t)
	w := fleetWorkload(t, "daemonset.yaml", "DaemonSet")
	annotations := w.pod.Metadata.Annotations
	port := strings.TrimPrefix(w.opts.metrics.addr, "0.0.0.0:")
	switch {
	case w.opts.metrics.addr == "" || !w.opts.metrics.public:
		t.Fatalf("the DaemonSet does not run --metrics on a public address: %q", w.args)
	case annotations["prometheus.io/scrape"] != "true" || annotations["prometheus.io/path"] != "/metrics":
		t.Errorf("scrape annotations: %v", annotations)
	case annotations["prometheus.io/port"] != port:
		t.Errorf("prometheus.io/port is %q, --metrics listens on %s", annotations["prometheus.io/port"], w.opts.metrics.addr)
	case len(w.pod.Spec.Containers[0].Ports) != 1 || fmt.Sprint(w.pod.Spec.Containers[0].Ports[0].ContainerPort) != port:
		t.Errorf("containerPort %v, --metrics listens on %s", w.pod.Spec.Containers[0].Ports, w.opts.metrics.addr)
	}

	// The pod's command line, here: the script from its ConfigMap, the
	// metrics on a loopback port, and only the pod's capabilities.
	script := filepath.Join(t.TempDir(), "script.bt")
	if err := os.WriteFile(script, []byte(w.scripts[w.opts.positional[0]]), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	var args []string
	for i := 0; i < len(w.args); i++ {
		switch a := w.args[i]; a {
		case "--metrics":
			args = append(args, a, addr)
			i++
		case "--metrics-public":
		case w.opts.positional[0]:
			args = append(args, script)
		default:
			args = append(args, a)
		}
	}
	res := trace(t, traceRun{
		args: args,
		wrap: withCaps(w.caps),
		stop: os.Interrupt,
		trigger: func(t *testing.T) {
			// Every process makes syscalls: the counter has keys at the
			// first scrapes; the histogram is there from the start.
			deadline := time.Now().Add(30 * time.Second)
			for {
				text := scrape(t, addr, "")
				if strings.Contains(text, "gobpftrace_syscalls_total{comm=") && strings.Contains(text, `gobpftrace_read_bytes_bucket{le="+Inf"}`) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no syscall counts in the metrics after 30s:\n%s", firstLines(text, 20))
				}
				time.Sleep(200 * time.Millisecond)
			}
		},
	})
	mustExit(t, res, 0)
	if !strings.Contains(res.stdout, "@syscalls[") || strings.Contains(res.stderr, "WARNING") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", firstLines(res.stdout, 10), res.stderr)
	}
}

func TestFleetJob(t *testing.T) {
	requireRoot(t)
	w := fleetWorkload(t, "job.yaml", "Job")
	if w.opts.format != "json" {
		t.Errorf("the Job does not print JSON (-f json): %q", w.args)
	}
	script := filepath.Join(t.TempDir(), "script.bt")
	if err := os.WriteFile(script, []byte(w.scripts[w.opts.positional[0]]), 0o644); err != nil {
		t.Fatal(err)
	}
	args := slices.Clone(w.args)
	args[slices.Index(args, w.opts.positional[0])] = script
	cmd := exec.Command(withCaps(w.caps)[0], append(withCaps(w.caps)[1:], append([]string{binPath}, args...)...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 || lines[0] != `{"type": "attached_probes", "count": 2, "data": {"probes": 2}}` ||
		!regexp.MustCompile(`^\{"type": "map", "data": \{"@syscalls": \{"[^"]+": \d+`).MatchString(lines[1]) {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	if d := time.Since(start); d < 4*time.Second {
		t.Errorf("the 5-second script ended after %v", d)
	}
}

// The Dockerfile's build command, run here as the image's build stage runs
// it, gives a static binary.
func TestFleetImageBuild(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fleetDir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var build string
	for _, line := range strings.Split(string(data), "\n") {
		if cmd, ok := strings.CutPrefix(line, "RUN "); ok && strings.Contains(cmd, "go build") {
			build = cmd
		}
	}
	if !strings.HasPrefix(build, "CGO_ENABLED=0 go build ") || !strings.Contains(build, " -o /out/gobpftrace ") {
		t.Fatalf("the Dockerfile's build command is %q", build)
	}
	out := filepath.Join(t.TempDir(), "gobpftrace")
	cmd := exec.Command("sh", "-c", strings.Replace(build, " -o /out/gobpftrace ", " -o "+out+" ", 1))
	cmd.Dir = "../.."
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", build, err, msg)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary is not static: it has a %v program header", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) != 0 {
		t.Errorf("the binary needs %v", libs)
	}
	version, err := exec.Command(out, "--version").Output()
	if err != nil || string(version) != versionLine+"\n" {
		t.Errorf("the static binary's --version: %q, %v", version, err)
	}
}
