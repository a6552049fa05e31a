package cel

// The cost limits, Kubernetes' numbers. A CEL program's cost is counted in
// abstract units: about one per operation, one per element a comprehension
// visits, one per character a string function scans.
const (
	// perCallLimit bounds one evaluation of one rule (or messageExpression).
	perCallLimit = 1000000

	// runtimeCostBudget bounds every rule evaluated for one object write,
	// together. Once spent, validation stops with an error.
	runtimeCostBudget = 10000000

	// maxMessageExpressionBytes bounds the message a messageExpression
	// produces; a longer one is replaced by the rule's message.
	maxMessageExpressionBytes = 5 * 1024
)

// costExceededPrefix starts the error cel-go returns when a program passes
// its cost limit.
const costExceededPrefix = "operation cancelled: actual cost limit exceeded"
