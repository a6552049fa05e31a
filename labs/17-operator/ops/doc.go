// Package ops is the small API lab 17's student code works through: the
// calls an operator's decisions need (live reads, conditional writes, the
// cache), each a thin wrapper over the database operator's own client
// (core/operator/database), so that the lab is about which call to make
// and in what order, not about building requests.
//
// Book: book/17-custom-resources.md, "Lab".
package ops
