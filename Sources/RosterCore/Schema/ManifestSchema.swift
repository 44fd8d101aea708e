/// The JSON Schema (draft 2020-12) of Roster's manifests, for editors: point
/// yaml-language-server at the output of `roster schema`. A test keeps it in step with
/// `ManifestFields` and the model's rules.
public enum ManifestSchema {
    public static let json = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://roster.dev/schemas/roster-v1.json",
          "title": "Roster manifest",
          "description": "A Roster document: a Team (any manifest file) or the Config (roster.yaml at the repository root).",
          "oneOf": [
            { "$ref": "#/$defs/Team" },
            { "$ref": "#/$defs/Config" }
          ],
          "$defs": {
            "Team": {
              "type": "object",
              "description": "A team account: its owner, members with their roles, and spend limit.",
              "required": ["apiVersion", "kind", "metadata", "spec"],
              "additionalProperties": false,
              "properties": {
                "apiVersion": { "const": "roster/v1" },
                "kind": { "const": "Team" },
                "metadata": {
                  "type": "object",
                  "required": ["name"],
                  "additionalProperties": false,
                  "properties": {
                    "name": {
                      "type": "string",
                      "description": "The team's slug.",
                      "pattern": "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
                    }
                  }
                },
                "spec": {
                  "type": "object",
                  "required": ["owner", "members"],
                  "additionalProperties": false,
                  "properties": {
                    "displayName": { "type": "string", "description": "Shown to people; the slug when omitted." },
                    "owner": {
                      "type": "string",
                      "format": "email",
                      "description": "The user whose account became the team account; must be an admin member."
                    },
                    "spendLimit": {
                      "type": "object",
                      "required": ["perHour"],
                      "additionalProperties": false,
                      "properties": {
                        "perHour": {
                          "type": "number",
                          "minimum": 0,
                          "multipleOf": 0.01,
                          "description": "US dollars per hour across all resources; 80 when omitted."
                        }
                      }
                    },
                    "members": {
                      "type": "array",
                      "items": { "$ref": "#/$defs/Member" }
                    }
                  }
                }
              }
            },
            "Member": {
              "type": "object",
              "required": ["email", "role"],
              "additionalProperties": false,
              "properties": {
                "email": { "type": "string", "format": "email" },
                "role": {
                  "enum": ["basic", "billing", "dev", "admin"],
                  "description": "basic: use pods and endpoints; billing: billing only; dev: create resources; admin: everything."
                },
                "expires": {
                  "type": "string",
                  "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?$",
                  "description": "When this member's access ends: a day (2027-01-31, the end of that day, UTC) or an RFC 3339 time. The owner cannot expire."
                }
              }
            },
            "Config": {
              "type": "object",
              "description": "Roster's settings, in roster.yaml at the repository root.",
              "required": ["apiVersion", "kind", "spec"],
              "additionalProperties": false,
              "properties": {
                "apiVersion": { "const": "roster/v1" },
                "kind": { "const": "Config" },
                "metadata": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": { "name": { "type": "string" } }
                },
                "spec": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "paths": {
                      "type": "array",
                      "items": { "type": "string" },
                      "description": "Folders to read manifests from; the whole repository (except dot-folders) when omitted."
                    },
                    "safety": {
                      "type": "object",
                      "additionalProperties": false,
                      "properties": {
                        "maxRemovals": { "type": "integer", "minimum": 0, "default": 25 },
                        "minAdmins": { "type": "integer", "minimum": 0, "default": 1 },
                        "allowTeamDeletion": { "type": "boolean", "default": false }
                      }
                    },
                    "reconcile": {
                      "type": "object",
                      "additionalProperties": false,
                      "properties": {
                        "selfHeal": { "type": "boolean", "default": true }
                      }
                    },
                    "invitations": {
                      "type": "object",
                      "additionalProperties": false,
                      "properties": {
                        "expireAfter": {
                          "type": "string",
                          "pattern": "^[1-9][0-9]{0,5}[smhdw]$",
                          "description": "How long an invitation's link works: 14d, 36h, 2w. Default: until used or revoked."
                        },
                        "renew": {
                          "type": "boolean",
                          "default": false,
                          "description": "Whether the next reconcile re-issues an expired invitation (a new link)."
                        }
                      }
                    },
                    "policy": {
                      "type": "object",
                      "additionalProperties": false,
                      "properties": {
                        "teamCreators": {
                          "type": "array",
                          "items": { "type": "string", "format": "email" },
                          "description": "Who may create a team besides its declared owner (roster diff --require-authorized)."
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
        """#
}
