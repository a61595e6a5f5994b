// The per-process rate ceiling of the national portal's client, derived from the portal's own limit.
//
// `NationalPortal:MaxRequestsPerSecond` is enforced by each process on its own, so the deployment stays under the
// portal's limit only if (processes that can call the portal at once) x ceiling <= portal limit. On the Flex
// Consumption plan every function other than the HTTP ones scales in instances of its own, and the cap
// `maximumInstanceCount` applies to each of those scaling groups independently. Function by function:
// - Repair (queue trigger): sends dossiers and steps, so it calls the portal, on up to maximumInstanceCount instances;
// - Reconcile (timer): looks dossiers up, a singleton: one process;
// - Audit (timer): looks dossiers up, a singleton in a process of its own beside Reconcile: one more;
// - PoisonDrain (queue trigger): writes the ledger only, never the portal;
// - the HTTP functions (API, dashboard) read storage and the provincial system, and queue a resync: never the portal.

@export()
@description('Processes that may call the national portal at the same time: the Repair instances, the Reconcile run and the Audit run.')
func portalCallingProcesses(maximumInstanceCount int) int => maximumInstanceCount + 2

@export()
@description('floor(portal limit / portal-calling processes): the NationalPortal:MaxRequestsPerSecond of each process. 0 means the cap is too high for the limit.')
func perProcessCeiling(portalRequestsPerSecondLimit int, maximumInstanceCount int) int =>
  portalRequestsPerSecondLimit / portalCallingProcesses(maximumInstanceCount)
