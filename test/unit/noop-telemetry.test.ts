import { noopTelemetry } from '../../core/defaults.js';
import { describeTelemetryContract } from '../contract/telemetry.contract.js';

// The default wherever no telemetry is injected (adapters, tests): it owes the code it wraps the same guarantees.
describeTelemetryContract('noopTelemetry', async () => ({ telemetry: noopTelemetry }));
