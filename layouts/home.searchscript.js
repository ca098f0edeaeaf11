{{- /* /search-index.js: the same index as search-index.json as one script
       statement. A <script> loads from file:// too, where fetch() of a JSON
       file is refused; js/site.js adds this script on first use of the search box. */ -}}
window.DockerLabSearchIndex = {{ dict "version" 1 "pages" (partialCached "search/index.html" .) | jsonify }};
