package api

import "encoding/json"

// Table is meta.k8s.io/v1 Table: what the API server answers when a client
// asks for objects "as=Table" (server-side printing). kubectl asks for it on
// every get and prints the columns it is given, so the columns a kind shows
// are decided by the server, in one place (core/printers).
type Table struct {
	TypeMeta          `json:",inline"`
	ListMeta          `json:"metadata"`
	ColumnDefinitions []TableColumnDefinition `json:"columnDefinitions"`
	Rows              []TableRow              `json:"rows"`
}

// TableColumnDefinition describes one column. Priority 0 columns are always
// shown; higher ones only in a wide view (kubectl -o wide). Format "name"
// marks the column that holds the object's name, which kubectl prefixes
// with the kind ("pod/web") when it shows several kinds.
type TableColumnDefinition struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Format      string `json:"format"`
	Description string `json:"description"`
	Priority    int32  `json:"priority"`
}

// TableRow is one object's line. Cells hold one value per column; tinykube
// sends every cell as a string, which is what clients print. Object is the
// object itself, its metadata only (a PartialObjectMetadata) or absent,
// as the request's includeObject asked.
type TableRow struct {
	Cells  []string        `json:"cells"`
	Object json.RawMessage `json:"object,omitempty"`
}

// PartialObjectMetadata is an object reduced to its kind and metadata:
// what a Table row carries by default (includeObject=Metadata).
type PartialObjectMetadata struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata"`
}

// The includeObject values of a Table request.
const (
	IncludeNone     = "None"
	IncludeMetadata = "Metadata"
	IncludeObject   = "Object"
)
