/// The OpenAPI 3.1 description of Deja's own API, served at `/openapi.json`. The receivers that
/// speak other systems' protocols (Loki, Elasticsearch, OTLP) are listed with their wire formats
/// named, not redescribed. A test checks that every route here answers as described.
enum OpenAPIDocument {
    static let json = #"""
    {
      "openapi": "3.1.0",
      "info": {"title": "Deja", "version": "1", "description": "Semantic log search: logs by meaning, grouped by signature."},
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "parameters": {
          "service": {"name": "service", "in": "query", "description": "Only these services (repeat or comma-separate).", "schema": {"type": "string"}},
          "level": {"name": "level", "in": "query", "description": "Only these levels: error, warning, info...", "schema": {"type": "string"}},
          "since": {"name": "since", "in": "query", "description": "A duration ago (1h, 1h30m, 7d) or a time (RFC 3339, or 2024-03-14 09:21 in UTC).", "schema": {"type": "string"}},
          "until": {"name": "until", "in": "query", "description": "A duration ago (1h, 1h30m, 7d) or a time (RFC 3339, or 2024-03-14 09:21 in UTC).", "schema": {"type": "string"}},
          "limit": {"name": "limit", "in": "query", "description": "Most result groups, 1 to 100 (default 10).", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
          "tenant": {"name": "X-Scope-OrgID", "in": "header", "description": "Tenant, when the server runs without tokens (Loki's tenant id characters).", "schema": {"type": "string", "pattern": "^[A-Za-z0-9!._*'()-]{1,150}$"}}
        },
        "schemas": {
          "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "properties": {"message": {"type": "string"}}}}},
          "Level": {"type": "string", "enum": ["unknown", "trace", "debug", "info", "notice", "warning", "error", "critical", "fatal"]},
          "Event": {
            "type": "object", "required": ["id", "tenant", "service", "level", "timestamp", "labels", "body", "signatureID"],
            "properties": {
              "id": {"type": "integer", "description": "Deja's number for the event."},
              "externalID": {"type": "string", "description": "The id its sender gave."},
              "tenant": {"type": "string"}, "service": {"type": "string"}, "level": {"$ref": "#/components/schemas/Level"},
              "timestamp": {"type": "integer", "description": "Nanoseconds since the Unix epoch: the collector's time, else the line's."},
              "lineTimestamp": {"type": "integer", "description": "The time written in the line, when the collector's differs from it."},
              "labels": {"type": "object", "additionalProperties": {"type": "string"}},
              "body": {"type": "string"}, "signatureID": {"type": "integer"}
            }
          },
          "Signature": {
            "type": "object", "required": ["id", "tenant", "service", "message", "level", "count", "firstSeen", "lastSeen", "exampleEventID"],
            "properties": {
              "id": {"type": "integer"}, "tenant": {"type": "string"}, "service": {"type": "string"},
              "message": {"type": "string", "description": "The normalized message shared by its events."},
              "level": {"$ref": "#/components/schemas/Level"}, "count": {"type": "integer"},
              "firstSeen": {"type": "integer"}, "lastSeen": {"type": "integer"}, "exampleEventID": {"type": "integer"},
              "pattern": {"type": "string", "description": "The template of its pattern, <*> for variables."},
              "patternID": {"type": "integer"},
              "issueID": {"type": "integer", "description": "The issue it belongs to, once embedded and placed."}
            }
          },
          "Issue": {
            "type": "object", "required": ["id", "tenant", "title", "services", "levels", "signatureIDs", "patternIDs", "count", "firstSeen", "lastSeen"],
            "properties": {
              "id": {"type": "integer"}, "tenant": {"type": "string"},
              "title": {"type": "string", "description": "The first line of its most frequent signature's message."},
              "services": {"type": "array", "items": {"type": "string"}},
              "levels": {"type": "array", "items": {"$ref": "#/components/schemas/Level"}},
              "signatureIDs": {"type": "array", "items": {"type": "integer"}}, "patternIDs": {"type": "array", "items": {"type": "integer"}},
              "count": {"type": "integer", "description": "Events in all."}, "firstSeen": {"type": "integer"}, "lastSeen": {"type": "integer"}
            }
          },
          "IssueSummary": {
            "type": "object", "required": ["issue", "state", "windowCount", "growth", "counts"],
            "properties": {
              "issue": {"$ref": "#/components/schemas/Issue"},
              "state": {"type": "string", "enum": ["new", "rising", "regressed", "steady"]},
              "windowCount": {"type": "integer", "description": "Events in the range."},
              "growth": {"type": "number", "description": "Events in the range's last quarter over what the rest predicts (both plus one)."},
              "counts": {"type": "array", "items": {"type": "integer"}, "description": "Events per bucket, oldest first."}
            }
          },
          "IssuesResponse": {
            "type": "object", "required": ["since", "until", "bucketNanoseconds", "issues"],
            "properties": {"since": {"type": "integer"}, "until": {"type": "integer"}, "bucketNanoseconds": {"type": "integer"},
                           "issues": {"type": "array", "items": {"$ref": "#/components/schemas/IssueSummary"}}}
          },
          "IssueResponse": {
            "type": "object", "required": ["since", "until", "bucketNanoseconds", "issue"],
            "properties": {"since": {"type": "integer"}, "until": {"type": "integer"}, "bucketNanoseconds": {"type": "integer"},
                           "issue": {"type": "object", "required": ["summary", "signatures", "examples"], "properties": {
                             "summary": {"$ref": "#/components/schemas/IssueSummary"},
                             "signatures": {"type": "array", "items": {"$ref": "#/components/schemas/Signature"}},
                             "examples": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}}}
          },
          "RelatedIssue": {
            "type": "object", "required": ["message", "service", "services", "count", "state", "score", "events"],
            "properties": {
              "issueID": {"type": "integer"}, "message": {"type": "string"}, "service": {"type": "string"},
              "services": {"type": "array", "items": {"type": "string"}},
              "count": {"type": "integer", "description": "Events in the window."},
              "state": {"type": "string", "enum": ["new", "rising", "regressed", "steady"]},
              "similarity": {"type": "number"}, "score": {"type": "number"},
              "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}
            }
          },
          "Alert": {
            "type": "object", "required": ["fingerprint", "name", "status", "labels", "annotations", "startsAt", "generatorURL", "notifications", "firstReceived", "lastReceived", "related"],
            "properties": {
              "fingerprint": {"type": "string"}, "name": {"type": "string"}, "status": {"type": "string", "enum": ["firing", "resolved"]},
              "labels": {"type": "object", "additionalProperties": {"type": "string"}},
              "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
              "startsAt": {"type": "string"}, "endsAt": {"type": "string"}, "generatorURL": {"type": "string"},
              "notifications": {"type": "integer"}, "firstReceived": {"type": "string"}, "lastReceived": {"type": "string"},
              "related": {"type": "array", "items": {"$ref": "#/components/schemas/RelatedIssue"}, "description": "Most telling first; empty until enriched."},
              "enrichment": {"type": "object", "description": "service, query, since, until, related, previous occurrences, metrics, links"}
            }
          },
          "IssueChange": {"type": "object", "required": ["issue"], "properties": {"issue": {"type": "integer", "description": "The issue that now holds the signatures."}}},
          "Pattern": {
            "type": "object", "required": ["id", "tenant", "template", "services", "level", "signatureIDs", "count", "firstSeen", "lastSeen"],
            "properties": {
              "id": {"type": "integer"}, "tenant": {"type": "string"},
              "template": {"type": "string", "description": "Constant words, and <*> for variables."},
              "services": {"type": "array", "items": {"type": "string"}}, "level": {"$ref": "#/components/schemas/Level"},
              "signatureIDs": {"type": "array", "items": {"type": "integer"}}, "count": {"type": "integer"},
              "firstSeen": {"type": "integer"}, "lastSeen": {"type": "integer"}
            }
          },
          "ResultGroup": {
            "type": "object", "required": ["signature", "count", "events", "sharedConcepts", "score"],
            "properties": {
              "signature": {"$ref": "#/components/schemas/Signature"},
              "count": {"type": "integer", "description": "Events of this signature passing the filters."},
              "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
              "similarity": {"type": "number", "description": "Cosine similarity of query and message."},
              "keywordRank": {"type": "integer", "description": "Rank of its best event in keyword search."},
              "remote": {"type": "boolean", "description": "True when another replica holds the events (found in the shared ChromaDB index): the one event is the record's example."},
              "sharedConcepts": {"type": "array", "items": {"type": "string"}, "description": "Failure conditions (the failure taxonomy's labels) query and message share."},
              "identifierMatches": {"type": "integer", "description": "How many of the events, from the first, hold an identifier of the query exactly (an order number, a trace id, an address); such groups rank first."},
              "score": {"type": "number"}
            }
          },
          "SearchResponse": {
            "type": "object", "required": ["query", "tookMilliseconds", "queuedMilliseconds", "stages", "groups", "keywordScope"],
            "properties": {"query": {"type": "string"}, "tookMilliseconds": {"type": "number"},
                           "queuedMilliseconds": {"type": "number", "description": "Time spent waiting for earlier searches (they run one at a time)."},
                           "stages": {"type": "object", "description": "Milliseconds per stage: embedding the query, vectors, keywords (keyword and identifier search), keywordWait (waiting for keyword search when it ran beside the embedding), grouping (fusion and reading each group's events).",
                                      "properties": {"embedding": {"type": "number"}, "vectors": {"type": "number"}, "keywords": {"type": "number"},
                                                     "keywordWait": {"type": "number"}, "grouping": {"type": "number"}}},
                           "groups": {"type": "array", "items": {"$ref": "#/components/schemas/ResultGroup"}},
                           "notice": {"type": "string", "description": "Present when part of the search could not answer: ChromaDB unreachable (the groups come from keyword search alone), or in cluster mode PostgreSQL unreachable (the groups come from this replica's own events)."},
                           "keywordScope": {"type": "string", "enum": ["events", "signatures"], "description": "What keyword search and identifier lookups read: every stored event, or in cluster mode each signature's message and example event (the raw events are in Loki or Elasticsearch: rawLogs)."},
                           "rawLogs": {"type": "object", "additionalProperties": {"type": "string"}, "description": "For a query holding identifiers, where Grafana (Loki) or Kibana is configured: links (grafana, kibana) to every raw line holding one of them, ignoring case, in the search's range (the last 7 days when it names none) and its one service, if it names one."}}
          },
          "SearchRequest": {
            "type": "object", "required": ["query"],
            "properties": {
              "query": {"type": "string", "description": "A phrase, a log line or a whole stack trace."},
              "service": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
              "level": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
              "since": {"type": "string"}, "until": {"type": "string"},
              "limit": {"type": "integer", "minimum": 1, "maximum": 100},
              "labels": {"type": "object", "additionalProperties": {"type": "string"}}
            }
          },
          "SignaturesResponse": {
            "type": "object", "required": ["since", "until", "bucketNanoseconds", "signatures"],
            "properties": {
              "since": {"type": "integer"}, "until": {"type": "integer"}, "bucketNanoseconds": {"type": "integer"},
              "signatures": {"type": "array", "items": {"type": "object", "required": ["signature", "counts"], "properties": {
                "signature": {"$ref": "#/components/schemas/Signature"},
                "counts": {"type": "array", "items": {"type": "integer"}, "description": "Events per bucket, oldest first."}}}}
            }
          },
          "MetricSearchResponse": {
            "type": "object", "required": ["query", "metrics"],
            "properties": {
              "query": {"type": "string"},
              "metrics": {"type": "array", "items": {"type": "object",
                "required": ["metric", "type", "help", "unit", "labels", "jobs", "score", "promql", "links"],
                "properties": {"metric": {"type": "string"}, "type": {"type": "string"}, "help": {"type": "string"}, "unit": {"type": "string"},
                               "labels": {"type": "array", "items": {"type": "string"}}, "jobs": {"type": "array", "items": {"type": "string"}},
                               "score": {"type": "number"}, "promql": {"type": "string"},
                               "links": {"type": "object", "additionalProperties": {"type": "string"}}}}}
            }
          },
          "PatternsResponse": {
            "type": "object", "required": ["since", "until", "bucketNanoseconds", "patterns"],
            "properties": {
              "since": {"type": "integer"}, "until": {"type": "integer"}, "bucketNanoseconds": {"type": "integer"},
              "patterns": {"type": "array", "items": {"type": "object", "required": ["pattern", "counts"], "properties": {
                "pattern": {"$ref": "#/components/schemas/Pattern"},
                "counts": {"type": "array", "items": {"type": "integer"}, "description": "Events per bucket, oldest first."}}}}
            }
          }
        },
        "responses": {
          "Problem": {"description": "The request cannot be served; the message says why.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      },
      "security": [{}, {"bearer": []}],
      "paths": {
        "/api/v1/search": {
          "get": {
            "summary": "Logs like this text, line or stack trace, grouped by signature.",
            "parameters": [{"name": "q", "in": "query", "required": true, "schema": {"type": "string", "minLength": 1}},
                           {"$ref": "#/components/parameters/service"}, {"$ref": "#/components/parameters/level"},
                           {"$ref": "#/components/parameters/since"}, {"$ref": "#/components/parameters/until"},
                           {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/tenant"}],
            "responses": {"200": {"description": "Result groups, best first.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResponse"}}}},
                          "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                          "403": {"$ref": "#/components/responses/Problem"}}
          },
          "post": {
            "summary": "The same search, as JSON (for long queries such as stack traces).",
            "parameters": [{"$ref": "#/components/parameters/tenant"}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchRequest"}}}},
            "responses": {"200": {"description": "Result groups, best first.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResponse"}}}},
                          "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                          "403": {"$ref": "#/components/responses/Problem"}}
          }
        },
        "/api/v1/similar/{id}": {
          "get": {
            "summary": "Groups like one event (by the id its sender gave, or Deja's number), its own signature left out.",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                           {"$ref": "#/components/parameters/service"}, {"$ref": "#/components/parameters/level"},
                           {"$ref": "#/components/parameters/since"}, {"$ref": "#/components/parameters/until"},
                           {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/tenant"}],
            "responses": {"200": {"description": "Result groups, best first.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResponse"}}}},
                          "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                          "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}
          }
        },
        "/api/v1/events/{id}": {
          "get": {
            "summary": "One event, by the id its sender gave or Deja's number.",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}, {"$ref": "#/components/parameters/tenant"}],
            "responses": {"200": {"description": "The event.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}},
                          "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                          "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}
          }
        },
        "/api/v1/patterns": {
          "get": {
            "summary": "Patterns (templates mined from the signatures' messages, <*> for variables) with event counts per time bucket, most frequent first. The range defaults to the tenant's oldest event until now.",
            "parameters": [{"$ref": "#/components/parameters/service"}, {"$ref": "#/components/parameters/level"},
                           {"$ref": "#/components/parameters/since"}, {"$ref": "#/components/parameters/until"},
                           {"name": "buckets", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                           {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                           {"$ref": "#/components/parameters/tenant"}],
            "responses": {"200": {"description": "Patterns.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PatternsResponse"}}}},
                          "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                          "403": {"$ref": "#/components/responses/Problem"}}
          }
        },
        "/api/v1/issues": {
          "get": {
            "summary": "Recurring issues (signatures grouped by meaning across services and languages) with event counts per time bucket and their state. The range defaults to the tenant's oldest event until now.",
            "parameters": [{"$ref": "#/components/parameters/service"}, {"$ref": "#/components/parameters/level"},
                           {"$ref": "#/components/parameters/since"}, {"$ref": "#/components/parameters/until"},
                           {"name": "buckets", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                           {"name": "state", "in": "query", "schema": {"type": "string", "enum": ["new", "rising", "regressed", "steady"]}},
                           {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["count", "growth", "recency"]}},
                           {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                           {"$ref": "#/components/parameters/tenant"}],
            "responses": {"200": {"description": "Issues.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IssuesResponse"}}}},
                          "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                          "403": {"$ref": "#/components/responses/Problem"}}
          }
        },
        "/api/v1/issues/{id}": {
          "get": {
            "summary": "One issue (an id merged into another answers with the survivor) with its signatures, timeline and recent events of each service.",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                           {"$ref": "#/components/parameters/since"}, {"$ref": "#/components/parameters/until"},
                           {"name": "buckets", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                           {"$ref": "#/components/parameters/tenant"}],
            "responses": {"200": {"description": "The issue.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IssueResponse"}}}},
                          "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                          "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}
          }
        },
        "/api/v1/issues/{id}/merge": {
          "post": {
            "summary": "Merge this issue into another (admin scope); clustering keeps the choice.",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}, {"$ref": "#/components/parameters/tenant"}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["into"], "properties": {"into": {"type": "integer"}}}}}},
            "responses": {"200": {"description": "The surviving issue.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IssueChange"}}}},
                          "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                          "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}
          }
        },
        "/api/v1/issues/{id}/split": {
          "post": {
            "summary": "Move some of this issue's signatures to a new issue (admin scope) that never merges back on its own.",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}, {"$ref": "#/components/parameters/tenant"}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["signatures"], "properties": {"signatures": {"type": "array", "items": {"type": "integer"}}}}}}},
            "responses": {"200": {"description": "The new issue.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IssueChange"}}}},
                          "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                          "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}
          }
        },
        "/api/v1/status": {
          "get": {
            "summary": "The tenant's signatures and those still waiting for embedding; for an admin token (or with tokens off) also the server's events stored and ingest backlog, which count every tenant.",
            "parameters": [{"$ref": "#/components/parameters/tenant"}],
            "responses": {"200": {"description": "Status.", "content": {"application/json": {"schema": {"type": "object",
                            "required": ["version", "model", "signatures", "signaturesWaitingForEmbedding"],
                            "properties": {"version": {"type": "string"}, "model": {"type": "string"}, "storedEvents": {"type": "integer"},
                                           "ingestBacklogRecords": {"type": "integer"}, "ingestBacklogBytes": {"type": "integer"},
                                           "signatures": {"type": "integer"}, "signaturesWaitingForEmbedding": {"type": "integer"}}}}}},
                          "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}}
          }
        },
        "/api/v1/alerts/alertmanager": {
          "post": {
            "summary": "Alertmanager's webhook (payload version 4): records the alerts and answers at once; enrichment follows. A payload of another version is kept.",
            "parameters": [{"$ref": "#/components/parameters/tenant"}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "Recorded (or kept).", "content": {"application/json": {"schema": {"type": "object", "required": ["status", "alerts"], "properties": {"status": {"type": "string"}, "alerts": {"type": "integer"}}}}}},
                          "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                          "403": {"$ref": "#/components/responses/Problem"}, "413": {"$ref": "#/components/responses/Problem"}}
          }
        },
        "/api/v1/alerts": {
          "get": {
            "summary": "Alerts received, the most recently notified first, with the issues and events that explain them.",
            "parameters": [{"name": "status", "in": "query", "schema": {"type": "string", "enum": ["firing", "resolved"]}},
                           {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                           {"$ref": "#/components/parameters/tenant"}],
            "responses": {"200": {"description": "Alerts.", "content": {"application/json": {"schema": {"type": "object", "required": ["alerts"], "properties": {"alerts": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}}}}}}},
                          "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                          "403": {"$ref": "#/components/responses/Problem"}}
          }
        },
        "/api/v1/alerts/{fingerprint}": {
          "get": {
            "summary": "The latest occurrence of one alert.",
            "parameters": [{"name": "fingerprint", "in": "path", "required": true, "schema": {"type": "string"}}, {"$ref": "#/components/parameters/tenant"}],
            "responses": {"200": {"description": "The alert.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Alert"}}}},
                          "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                          "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}
          }
        },
        "/api/v1/metrics/search": {
          "get": {
            "summary": "Metrics (Prometheus names and HELP, read with --prometheus-url or deja metrics index) that best match a description, each with a PromQL expression fitting its type and links to graph it.",
            "parameters": [{"name": "q", "in": "query", "required": true, "schema": {"type": "string", "minLength": 1}},
                           {"name": "job", "in": "query", "schema": {"type": "string"}},
                           {"name": "type", "in": "query", "schema": {"type": "string", "enum": ["counter", "gauge", "histogram", "summary", "unknown"]}},
                           {"name": "service", "in": "query", "description": "Prefer metrics of the job this logs service is", "schema": {"type": "string"}},
                           {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                           {"$ref": "#/components/parameters/tenant"}],
            "responses": {"200": {"description": "Metrics, best first.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MetricSearchResponse"}}}},
                          "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                          "403": {"$ref": "#/components/responses/Problem"}}
          }
        },
        "/api/v1/signatures": {
          "get": {
            "summary": "Signatures (distinct normalized messages per service) with event counts per time bucket, most frequent first. The range defaults to the tenant's oldest event until now; signature=ID,ID limits it to those signatures.",
            "parameters": [{"$ref": "#/components/parameters/service"}, {"$ref": "#/components/parameters/level"},
                           {"$ref": "#/components/parameters/since"}, {"$ref": "#/components/parameters/until"},
                           {"name": "buckets", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                           {"name": "signature", "in": "query", "schema": {"type": "string"}},
                           {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                           {"$ref": "#/components/parameters/tenant"}],
            "responses": {"200": {"description": "Signatures.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SignaturesResponse"}}}},
                          "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                          "403": {"$ref": "#/components/responses/Problem"}}
          }
        },
        "/api/v1/ingest": {
          "post": {
            "summary": "Events as NDJSON, one {\"body\", \"id\", \"service\", \"level\", \"timestamp\", \"labels\"} object per line; answered once durable.",
            "parameters": [{"$ref": "#/components/parameters/tenant"}],
            "requestBody": {"required": true, "content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
            "responses": {"200": {"description": "Accepted.", "content": {"application/json": {"schema": {"type": "object", "properties": {"accepted": {"type": "integer"}}}}}},
                          "400": {"$ref": "#/components/responses/Problem"}, "413": {"$ref": "#/components/responses/Problem"},
                          "429": {"$ref": "#/components/responses/Problem"}}
          }
        },
        "/loki/api/v1/push": {"post": {"summary": "Loki push: JSON, or snappy-compressed protobuf PushRequest (Loki's push.proto).",
          "parameters": [{"$ref": "#/components/parameters/tenant"}],
          "responses": {"204": {"description": "Durable."}, "400": {"$ref": "#/components/responses/Problem"}, "429": {"$ref": "#/components/responses/Problem"}}}},
        "/_bulk": {"post": {"summary": "Elasticsearch bulk API (NDJSON index/create actions).",
          "responses": {"200": {"description": "Per-item results, in request order."}}}},
        "/v1/logs": {"post": {"summary": "OTLP/HTTP logs, protobuf or JSON.",
          "responses": {"200": {"description": "ExportLogsServiceResponse, with partial success when records were rejected."}}}},
        "/healthz": {"get": {"summary": "The process answers.", "security": [{}], "responses": {"200": {"description": "Alive."}}}},
        "/readyz": {"get": {"summary": "Ingest can take more.", "security": [{}], "responses": {"200": {"description": "Ready."}, "503": {"description": "Behind or failing; the reason is given when tokens are off."}}}},
        "/metrics": {"get": {"summary": "Prometheus metrics (with tokens on, the admin scope).", "security": [{}, {"bearer": []}],
                             "responses": {"200": {"description": "Text exposition format."}, "401": {"$ref": "#/components/responses/Problem"},
                                           "403": {"$ref": "#/components/responses/Problem"}}}},
        "/openapi.json": {"get": {"summary": "This description.", "security": [{}], "responses": {"200": {"description": "OpenAPI 3.1 JSON."}}}},
        "/api/v1/ui-config": {"get": {"summary": "Where the UI's deep links point (Grafana, Kibana).",
          "responses": {"200": {"description": "The configured links.", "content": {"application/json": {"schema": {"type": "object", "properties": {
                          "grafanaURL": {"type": "string"}, "lokiDatasource": {"type": "string"}, "kibanaURL": {"type": "string"},
                          "kibanaDataView": {"type": "string"}}}}}},
                        "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}}}}
      }
    }
    """#
}
