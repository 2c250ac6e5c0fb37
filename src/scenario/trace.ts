/** The trace's types, for the layers above the scenario (export, viz, ui), which may not reach into the network layer. */
export type {
  ActorInfo,
  ConntrackView,
  CtState,
  ExpectationView,
  NodeId,
  TraceEvent,
  TraceEventType,
  Tuple,
  Verdict,
} from '../network/trace';
export { NODE_ORDER } from '../network/trace';
export { ruleLabel, type RuleRef } from '../network/firewall';
export { FTP_EXPECT_POLICY } from '../network/ftp-helper';
