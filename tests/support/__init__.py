"""What many tests share: the repository's paths and the fixture that aims the CLI at a fake ARM.

The one fake credential is replay's own, :class:`auditor.collect.clients.FakeCredential`.
"""
