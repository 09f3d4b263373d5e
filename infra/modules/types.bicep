// Types shared by the modules.

@export()
@description('Resource tags.')
type resourceTags = {
  *: string
}

@export()
@description('How long a tier keeps every point, then one per hour, per day and per month.')
type tierRetention = {
  @minValue(0)
  keepAllDays: int
  @minValue(0)
  keepHourlyDays: int
  @minValue(0)
  keepDailyDays: int
  @minValue(0)
  keepMonthlyDays: int
}

@export()
type retentionByTier = {
  T1: tierRetention
  T2: tierRetention
  T3: tierRetention
}

@export()
@description('NCRONTAB schedules of the timer triggers.')
type timerSchedules = {
  captureT1: string
  captureT2: string
  captureT3: string
  drill: string
  retention: string
  verify: string
}

@export()
@description('RPO objective per tier, as .NET TimeSpan text (d.hh:mm:ss).')
type rpoByTier = {
  T1: string
  T2: string
  T3: string
}

@export()
@description('RTO objective per tier (drill start to last asset verified), as .NET TimeSpan text (d.hh:mm:ss).')
type rtoByTier = {
  T1: string
  T2: string
  T3: string
  @description('The whole tenant rebuilt in the standby tenant.')
  Tenant: string
}

@export()
@description('Names of the recovery store\'s containers and tables that the app is configured with.')
type recoveryStoreLayout = {
  recoveryPointsContainer: string
  auditContainer: string
  auditTable: string
  progressTable: string
  drillReportsContainer: string
  drillReportsTable: string
}
