// Package acctest is the acceptance-test harness: it runs the provider in-process against the simulated tenant
// (started once per test binary) or, when BREAKGLASS_ACC_LIVE=1 and ARM_* credentials are set, against a real
// tenant, with the same test code. It is also the one home of the helpers the tests of several packages share, so
// that a fix to one reaches them all.
package acctest
