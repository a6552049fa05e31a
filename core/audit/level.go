package audit

// Level is how much of a request an event records, from nothing to both
// bodies. The levels are ordered: each records what the one before does
// and more.
type Level string

const (
	// LevelNone records nothing.
	LevelNone Level = "None"
	// LevelMetadata records who, what and the answer's status, without
	// bodies.
	LevelMetadata Level = "Metadata"
	// LevelRequest adds the request's body (requestObject).
	LevelRequest Level = "Request"
	// LevelRequestResponse adds the response's body (responseObject).
	LevelRequestResponse Level = "RequestResponse"
)

// levelOrder ranks the levels; an unknown level ranks as None.
var levelOrder = map[Level]int{LevelNone: 0, LevelMetadata: 1, LevelRequest: 2, LevelRequestResponse: 3}

// AtLeast reports whether l records at least what o does.
func (l Level) AtLeast(o Level) bool { return levelOrder[l] >= levelOrder[o] }

// Stage is the point in a request's handling an event is written at.
type Stage string

const (
	// StageRequestReceived: the request was read and authenticated,
	// nothing answered yet.
	StageRequestReceived Stage = "RequestReceived"
	// StageResponseStarted: the headers of a long-running answer (a watch,
	// an exec) were sent; the body is still flowing.
	StageResponseStarted Stage = "ResponseStarted"
	// StageResponseComplete: the answer is complete.
	StageResponseComplete Stage = "ResponseComplete"
	// StagePanic: the handler panicked.
	StagePanic Stage = "Panic"
)

// stages are the valid stages, in the order a request passes them.
var stages = []Stage{StageRequestReceived, StageResponseStarted, StageResponseComplete, StagePanic}

// levels are the valid levels, in order.
var levels = []Level{LevelNone, LevelMetadata, LevelRequest, LevelRequestResponse}
