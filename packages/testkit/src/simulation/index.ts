export {
  type HistoryPurpose,
  type LabelledHistoryOptions,
  labelledHistory,
  type SnapshotPeriod,
  toJsonl,
} from './history.js';
export {
  type CustomerFate,
  type EmployeeFate,
  type EmployeeTrait,
  type ResolvedSimulationOptions,
  type SalesOrgSimulation,
  type SimulatedBranch,
  type SimulatedCustomer,
  type SimulatedEmployee,
  type SimulatedRole,
  type SimulationLabel,
  type SimulationOptions,
  simulateSalesOrg,
} from './organisation.js';
export {
  measureRiskTargets,
  missedRiskTargets,
  RISK_TARGETS,
  type RiskTargetMeasures,
  type TargetPacks,
} from './targets.js';
