// Package fidelity checks requests and responses of the simulated tenant against Microsoft's own API descriptions,
// so the simulator cannot drift from the real services without a test failing.
//
// The references live in spec/ (see spec/SOURCES.md) and are embedded: the Microsoft Graph v1.0 CSDL for Graph
// (Graph), swagger fragments of Azure/azure-rest-api-specs for ARM (ARM), and CheckLog for a whole request log as
// the simulator writes it. The rules are those of the Python checkers this package replaced (graphcheck.py,
// armcheck.py and check-log.py of the former shared fidelity folder), so their verdicts did not change.
package fidelity
