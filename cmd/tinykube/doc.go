// Command tinykube is the one binary of tinykube: the server, the node
// agent, the simulator, and a kubectl-like client.
//
// Book: chapter 3 (book/03-api-server.md, "Code: HTTP and finding the
// server") for the client and the server, chapter 8 (book/08-simulator.md)
// for sim run and explore, chapter 10 (book/10-container-runtime.md, "Code:
// the agent and the commands") for agent, up, logs and exec.
package main
