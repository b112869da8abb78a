/** The SFU of @parley/server, for driving connections without signaling. */
export {
  type PublisherTransport,
  SfuRouter,
  SfuRouter as SfuRouterClass,
  type SubscriberTransport,
} from '@parley/server';
