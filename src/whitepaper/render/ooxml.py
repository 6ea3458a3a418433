"""Word files (OOXML packages) as their parts: read, changed and written back.

What pandoc writes is a zip of XML parts; Word packets and every other Word file the tool
writes are adjusted here (custom document properties, relationships, content types).
Parts are written with a fixed time, so the same document gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the format id every custom property carries


def read_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_parts(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ["[Content_Types].xml", *(n for n in parts if n != "[Content_Types].xml")]:  # content types first
            archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), parts[name], zipfile.ZIP_DEFLATED)
    return out.getvalue()


def relate(parts: dict[str, bytes], rels: str, rel_id: str, kind: str, target: str) -> None:
    if rels in parts:
        root = etree.fromstring(parts[rels])
    else:
        root = etree.Element(f"{{{PKG_RELS}}}Relationships", nsmap={None: PKG_RELS})
    for old in root.findall(f"{{{PKG_RELS}}}Relationship"):
        if old.get("Id") == rel_id or old.get("Target", "").lstrip("/") == target.lstrip("/"):
            root.remove(old)
    etree.SubElement(root, f"{{{PKG_RELS}}}Relationship", Id=rel_id, Type=kind, Target=target)
    parts[rels] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def content_type(parts: dict[str, bytes], part: str, kind: str) -> None:
    root = etree.fromstring(parts["[Content_Types].xml"])
    if not any(o.get("PartName") == part for o in root.findall(f"{{{CONTENT_TYPES}}}Override")):
        etree.SubElement(root, f"{{{CONTENT_TYPES}}}Override", PartName=part, ContentType=kind)
        parts["[Content_Types].xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def set_custom_properties(parts: dict[str, bytes], values: dict[str, str]) -> None:
    root = etree.Element(f"{{{CUSTOM}}}Properties", nsmap={None: CUSTOM, "vt": VT})
    for pid, (name, value) in enumerate(values.items(), start=2):  # ids 0 and 1 are reserved
        prop = etree.SubElement(root, f"{{{CUSTOM}}}property", fmtid=FMTID, pid=str(pid), name=name)
        etree.SubElement(prop, f"{{{VT}}}lpwstr").text = value
    parts["docProps/custom.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    relate(parts, "_rels/.rels", "rIdCustomProperties", CUSTOM_REL, "docProps/custom.xml")
    content_type(parts, "/docProps/custom.xml", CUSTOM_TYPE)


def custom_properties(parts: dict[str, bytes]) -> dict[str, str]:
    """A Word file's custom document properties, by name (text values only)."""
    if "docProps/custom.xml" not in parts:
        return {}
    root = etree.fromstring(parts["docProps/custom.xml"])
    return {p.get("name", ""): "".join(p.itertext()).strip() for p in root.findall(f"{{{CUSTOM}}}property")}
