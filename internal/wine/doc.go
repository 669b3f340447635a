// Package wine tells whether a Windows program runs under Wine, for the
// tests that must skip what Wine cannot do. It is ctrlctest.WineVersion, in
// a package of its own so that the ctrlc package's own tests, which cannot
// import ctrlctest (it imports ctrlc), can ask too.
package wine
