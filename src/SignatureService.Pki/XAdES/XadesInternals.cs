using System.Runtime.CompilerServices;

// Note: lets the tests compare the internal canonicalizer with System.Security.Cryptography.Xml's transforms.
[assembly: InternalsVisibleTo("SignatureService.Pki.Tests")]
