package output

import "sync"

// installed holds a resolver the runtime installs for printing (symbols,
// user-space lookups); tests install fakes and restore the previous one.
type installed[T any] struct {
	mu sync.RWMutex
	v  T
}

// set installs v and returns a function that restores the previous value.
func (i *installed[T]) set(v T) (restore func()) {
	i.mu.Lock()
	prev := i.v
	i.v = v
	i.mu.Unlock()
	return func() {
		i.mu.Lock()
		i.v = prev
		i.mu.Unlock()
	}
}

func (i *installed[T]) get() T {
	i.mu.RLock()
	defer i.mu.RUnlock()
	return i.v
}
