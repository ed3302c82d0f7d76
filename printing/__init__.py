"""PDF and Excel documents in the Ministry's forms (reportlab, openpyxl).

Renderers only: they take facts gathered by `services` and return bytes.
"""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

# pyHanko (signing.py) imports cryptography's DSA support, which cryptography ≥ 47 flags as
# deprecated at import. We never sign or verify with DSA; the warning would only reach the
# office's terminal as a line of English noise on every CLI command that prints.
warnings.filterwarnings("ignore", message="DSA is deprecated",
                        category=CryptographyDeprecationWarning)
