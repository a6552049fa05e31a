// Package nodefailurelab is lab 07: the node controller's failure
// detection — when a node whose heartbeats stopped is marked Unknown and
// tainted — checked against the contract on views drawn from each seed,
// then run inside the node controller of simulated clusters whose nodes
// are cut off for a moment, for long, or crash. See README.md and
// book/07-node-failure.md, "Lab".
package nodefailurelab
