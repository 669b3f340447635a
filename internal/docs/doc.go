// Package docs holds the tests that keep the documents true: every Go block
// of every Markdown file compiles, the README's test passes against its
// Quick start, and no package's surface grows past its limit.
package docs
