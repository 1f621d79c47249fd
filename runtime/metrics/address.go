package metrics

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
)

// CheckAddress checks a --metrics address, HOST:PORT. The host must be a
// loopback address (127.0.0.1, ::1, localhost) unless public is set: the
// metrics tell what runs on the machine, and a tracer's flag should not
// open them to the network by accident.
func CheckAddress(addr string, public bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--metrics %s: not an address: write HOST:PORT, such as 127.0.0.1:9464", addr)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || (n == 0 && port != "0") {
		return fmt.Errorf("--metrics %s: the port %q is not a number from 1 to 65535", addr, port)
	}
	if public || isLoopback(host) {
		return nil
	}
	what := host + " is not a loopback address"
	if host == "" {
		what = "no host means every network interface"
	} else if ip, err := netip.ParseAddr(host); err == nil && ip.IsUnspecified() {
		what = host + " means every network interface"
	}
	return fmt.Errorf("--metrics %s: %s, and anyone who reaches it could read what the script collects; "+
		"use 127.0.0.1:%s, or add --metrics-public to serve the metrics there on purpose", addr, what, port)
}

// isLoopback accepts "localhost" and loopback addresses only: a host name
// is not resolved, so what it means cannot change under us.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
