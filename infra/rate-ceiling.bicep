// The per-process rate ceiling of the national portal's client, derived from the portal's own limit.
//
// `NationalPortal:MaxRequestsPerSecond` is enforced by each process on its own. On the Flex Consumption plan the
// queue-triggered Repair function scales out to at most `maximumInstanceCount` instances (the cap applies to each
// independently scaling function group), and the timer-triggered Reconcile function runs — as a singleton — in its own
// instance beside them. So at most `maximumInstanceCount + 1` processes call the portal at the same time, and the whole
// deployment stays under the portal's limit only if (maximumInstanceCount + 1) x ceiling <= portal limit. The HTTP
// functions never call the portal and are not counted.

@export()
@description('Processes that may call the national portal at the same time: the Repair instances and the one Reconcile run.')
func portalCallingProcesses(maximumInstanceCount int) int => maximumInstanceCount + 1

@export()
@description('floor(portal limit / portal-calling processes): the NationalPortal:MaxRequestsPerSecond of each process. 0 means the cap is too high for the limit.')
func perProcessCeiling(portalRequestsPerSecondLimit int, maximumInstanceCount int) int =>
  portalRequestsPerSecondLimit / portalCallingProcesses(maximumInstanceCount)
