package history

// CheckVersions lets the external tests time the version check apart.
var CheckVersions = checkVersions
