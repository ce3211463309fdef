// Test helpers of @trialgate/device-sim (`@trialgate/device-sim/testing`): an aedes broker on a free port.
export { TestBroker, type ReceivedPublish, type TestBrokerOptions } from './test-broker.js';
