using System.Text.Json.Serialization;
using SignatureService.Core.Documents.DeathCertificates;
using SignatureService.Core.Documents.Dispensing;
using SignatureService.Core.Documents.Prescriptions;

namespace SignatureService.Core.Documents;

/// <summary>
/// The signer's view of a document, extracted from exactly the bytes that will be signed. One sealed record per document type;
/// serialised with a <c>documentType</c> discriminator.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "documentType")]
[JsonDerivedType(typeof(PrescriptionDisplay), DocumentTypeNames.Prescription)]
[JsonDerivedType(typeof(DispensingDisplay), DocumentTypeNames.DispensingRecord)]
[JsonDerivedType(typeof(DeathCertificateDisplay), "death-or-postmortem-certificate")]
[JsonDerivedType(typeof(Attachments.AttachmentDisplay), DocumentTypeNames.Attachment)]
public abstract record DocumentDisplay;
