"""The Qt-free HTTPS client every vault connection uses (TLS >= 1.2, OS trust store, proxies).

`open_client` builds the httpx client from the settings, `VaultHttp` adds mapped failures and
safe retries, `ssl_context` and `proxy_for` are its parts, `map_transport_error` and
`map_refusal` turn failures into catalogue codes.
"""

from wizard.net.client import Timeouts, VaultHttp, open_client
from wizard.net.failures import map_refusal, map_transport_error
from wizard.net.proxy import proxy_for
from wizard.net.tls import ssl_context

__all__ = ["Timeouts", "VaultHttp", "map_refusal", "map_transport_error", "open_client", "proxy_for", "ssl_context"]
