package output

// Where bpftrace v0.26 (what we match) prints differently from v0.17 (the
// reference binary on these machines). Every item is covered by a test that
// names it.
//
//  1. Histogram headers: "@h:" then the table; v0.17 wrote "@h: " with a
//     trailing space (keyed: "@h[k]:" vs "@h[k]: ").
//  2. Empty maps (cleared, deleted keys) print nothing at exit; v0.17 printed
//     an empty line for each.
//  3. avg() and stats() maps are not followed by a blank line; v0.17 added one.
//  4. Integer keys sort as signed integers of their width; v0.17 compared
//     them as unsigned (so @[-3] came after @[10]).
//  5. lhist with step 1 labels its buckets "[3]" like hist's single-value
//     buckets; v0.17 printed "[3, 4)".
//  6. A map key whose text starts with '(' and ends with ')' loses both
//     (v0.26 strips tuple parentheses from the text): @[(sd-pam)] prints as
//     @[sd-pam]; v0.17 kept them.
//  7. printf ignores the precision of integers and strings, prints a null
//     %p as "0" (v0.17: "(nil)"), and the '0' flag is a stream fill that
//     goes before the sign ("%05d" of -42 is "00-42", v0.17 "-0042"). Like
//     v0.17, an integer is first cast to its length modifier's C type: 32
//     bits without one (%d of 0x1ffffffff is -1), 64 with l ll j z t.
//  8. v0.17's max() started from 0, so max() of only negative values printed
//     nothing; the per-CPU fold over CPUs that stored a value gives the max.
//  9. v0.17 truncated hist() arguments to 32 bits; labels up to [4E, 8E) are
//     reachable now.
//
// Unchanged and verified against v0.17 captures (testdata/*.v017.txt): map
// order at exit (bytewise by name), the two newlines before the maps, value
// sorting and the order of ties (libstdc++ std::sort, see cxxsort.go), key
// sorting of strings and tuples, hist/lhist trimming, labels and bars,
// "count N, average A, total T" for stats, time()'s default "%H:%M:%S\n".
