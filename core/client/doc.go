// Package client is how every component talks to the API server: typed
// create/get/list/update/patch/delete/watch over a Transport. realnode's
// transport is HTTP; the simulator's crosses its simulated network, where a
// call can fail, time out, or succeed with its answer lost.
//
// Book: chapter 3, "The API server" (book/03-api-server.md).
package client
