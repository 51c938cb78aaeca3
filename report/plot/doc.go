// Package plot draws the report's charts with gonum/plot. It is the only
// package of this module that imports gonum, so the heavy dependency stays in
// a leaf.
package plot
