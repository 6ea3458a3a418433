-- Parse many Markdown texts in one pandoc process, each on its own (its own
-- footnotes, link definitions and identifiers), as if pandoc ran once per text.
-- Input on stdin: a JSON object {"reader": "...", "texts": ["...", ...]}.
-- Output: one JSON document (pandoc's AST) per line, in the same order.
local request = pandoc.json.decode(io.read('a'), false)
for _, text in ipairs(request.texts) do
  local doc = pandoc.read(text, request.reader)
  io.write(pandoc.write(doc, 'json'), '\n')
end
