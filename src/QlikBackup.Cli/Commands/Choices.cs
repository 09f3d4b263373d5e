namespace QlikBackup.Cli.Commands;

// Closed sets the CLI checks before calling the API, so a typo is a usage error with the valid values listed.
// Asset kinds are not here: the API knows the current list and answers 400 naming it.

public enum TierChoice { T1, T2, T3 }

public enum ScopeChoice { Object, App, Space, TenantConfig }
