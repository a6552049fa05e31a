// Command tinykube is the one binary of tinykube: the server, the node
// agent, the simulator, and a kubectl-like client.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
