"""What the registration shares across layers: wire formats, progress events, the saved record.

`wire` holds the protocol's constants (shared with the local vault service, which imports
nothing above the core), `protocol` the client's side of the messages (assertion, verifier,
machine key; it talks to any `JsonHttp`), `events` the progress events and `CancelToken`
every face receives, `record` the saved registration. The use cases themselves (run a
registration, test the connection, change settings, unregister) live above the network
client, in `wizard.registration`.
"""
