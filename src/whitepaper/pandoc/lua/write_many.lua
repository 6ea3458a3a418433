-- Render many documents to HTML fragments in one pandoc process, each on its own.
-- Input on stdin: a JSON array of strings, each a document in pandoc's JSON format.
-- Output: each fragment as a JSON string, one per line, in the same order.
-- The options match `pandoc -t html5 --wrap=none --mathml`.
local documents = pandoc.json.decode(io.read('a'), false)
local options = {wrap_text = 'none', html_math_method = 'mathml'}
for _, text in ipairs(documents) do
  io.write(pandoc.json.encode(pandoc.write(pandoc.read(text, 'json'), 'html5', options)), '\n')
end
