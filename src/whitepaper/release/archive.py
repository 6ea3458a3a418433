"""The release PDF's archival metadata: the version released, and its PDF/UA identification,
in its XMP beside the title, authors and PDF/A identification WeasyPrint writes.

The version is PRISM's `versionIdentifier`, the publishing industry's term. The release is
PDF/A-3a (tagged, as every PDF is) and PDF/UA-1 at once: WeasyPrint writes one variant's
identification, so PDF/UA's (`pdfuaid:part`) is added here. PDF/A allows a property outside
its predefined schemas only with a description of its schema in the same XMP packet (an
extension schema), so both schemas are described too.
"""

from __future__ import annotations

import io

import pikepdf
from lxml import etree

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PRISM = "http://prismstandard.org/namespaces/basic/3.0/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
EXTENSION = f"""\
<rdf:Description xmlns:rdf="{RDF}" rdf:about=""
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
  <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>PRISM Basic Metadata</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>{PRISM}</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>prism</pdfaSchema:prefix>
    <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
      <pdfaProperty:name>versionIdentifier</pdfaProperty:name>
      <pdfaProperty:valueType>Text</pdfaProperty:valueType>
      <pdfaProperty:category>external</pdfaProperty:category>
      <pdfaProperty:description>The version of the resource</pdfaProperty:description>
    </rdf:li></rdf:Seq></pdfaSchema:property>
  </rdf:li><rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>{PDFUAID}</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
    <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
      <pdfaProperty:name>part</pdfaProperty:name>
      <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
      <pdfaProperty:category>internal</pdfaProperty:category>
      <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
    </rdf:li></rdf:Seq></pdfaSchema:property>
  </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>"""


def with_version(pdf: bytes, version: str) -> bytes:
    """The PDF with its version and PDF/UA-1 identification in the XMP metadata, its PDF/A
    identification kept."""
    document = pikepdf.open(io.BytesIO(pdf))
    root = etree.fromstring(bytes(document.Root.Metadata.read_bytes()))
    rdf = root if root.tag == f"{{{RDF}}}RDF" else root.find(f".//{{{RDF}}}RDF")
    assert rdf is not None, "WeasyPrint writes an RDF packet for every PDF/A"
    rdf.append(etree.fromstring(EXTENSION))
    described = etree.SubElement(rdf, f"{{{RDF}}}Description", nsmap={"prism": PRISM})
    described.set(f"{{{RDF}}}about", "")
    etree.SubElement(described, f"{{{PRISM}}}versionIdentifier").text = version
    accessible = etree.SubElement(rdf, f"{{{RDF}}}Description", nsmap={"pdfuaid": PDFUAID})
    accessible.set(f"{{{RDF}}}about", "")
    etree.SubElement(accessible, f"{{{PDFUAID}}}part").text = "1"
    packet = b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' + etree.tostring(root) + b'\n<?xpacket end="w"?>'
    document.Root.Metadata = pikepdf.Stream(document, packet, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    out = io.BytesIO()
    document.save(out, deterministic_id=True)
    return out.getvalue()
