#!/usr/bin/env bash
# Asks a qwenrt server (or any OpenAI-compatible server) one question with curl, and prints the answer:
# whole once it is done, or token by token with --stream. jq builds the request and reads the answer.
#
#   examples/clients/curl/chat.sh [--stream] [--base-url URL] [--api-key KEY] [--model NAME]
#                                 [--system TEXT] [--max-tokens N] [--temperature T] MESSAGE
#
# --base-url defaults to $OPENAI_BASE_URL, else http://localhost:8000/v1; --api-key to $OPENAI_API_KEY
# (needed only for a server started with --api-key); --model to the first model the server lists.
set -euo pipefail

base_url=${OPENAI_BASE_URL:-http://localhost:8000/v1}
api_key=${OPENAI_API_KEY:-}
model=${OPENAI_MODEL:-}
stream=false
system=""
max_tokens=256
temperature=null
message=""
while (($#)); do
  case $1 in
    --stream) stream=true ;;
    --base-url) base_url=$2; shift ;;
    --api-key) api_key=$2; shift ;;
    --model) model=$2; shift ;;
    --system) system=$2; shift ;;
    --max-tokens) max_tokens=$2; shift ;;
    --temperature) temperature=$2; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "chat.sh: unknown option $1" >&2; exit 2 ;;
    *) message=$1 ;;
  esac
  shift
done
[[ -n $message ]] || { echo "chat.sh: give the message to send" >&2; exit 2; }

# Every request carries the key when there is one; curl reads the header from stdin so that the key
# never shows in the process list.
call() {
  local auth=()
  [[ -n $api_key ]] && auth=(-H @-)
  printf 'Authorization: Bearer %s\n' "$api_key" | curl --silent --show-error --fail-with-body "${auth[@]}" "$@"
}

# A failed request answers with OpenAI's error JSON: show its message rather than the raw body.
fail() {
  jq -r '.error.message? // .' <<<"$1" >&2 2>/dev/null || echo "$1" >&2
  exit 1
}

if [[ -z $model ]]; then
  models=$(call "$base_url/models") || fail "$models"
  model=$(jq -r '.data[0].id' <<<"$models")
fi

# Without --temperature the model's own default applies; the usage chunk comes last in a stream.
request=$(jq -n --arg model "$model" --arg system "$system" --arg message "$message" \
  --argjson max_tokens "$max_tokens" --argjson temperature "$temperature" --argjson stream "$stream" '{
    model: $model,
    messages: ((if $system == "" then [] else [{role: "system", content: $system}] end)
               + [{role: "user", content: $message}]),
    max_tokens: $max_tokens,
    stream: $stream
  }
  + (if $temperature == null then {} else {temperature: $temperature} end)
  + (if $stream then {stream_options: {include_usage: true}} else {} end)')

if [[ $stream == false ]]; then
  answer=$(call "$base_url/chat/completions" -H 'Content-Type: application/json' -d "$request") || fail "$answer"
  jq -r '.choices[0].message.content' <<<"$answer"
  jq -r '"[\(.usage.completion_tokens) tokens, finish: \(.choices[0].finish_reason)]"' <<<"$answer" >&2
  exit 0
fi

# Server-sent events: one "data: {chunk}" line per piece, a blank line after each, "data: [DONE]" last.
# --no-buffer lets each piece through as it arrives. A line that is not an event is the error JSON of a
# refused request; an error event is one that failed mid-way.
call "$base_url/chat/completions" --no-buffer -H 'Content-Type: application/json' -d "$request" |
  jq --unbuffered --raw-input --join-output '
    if . == "" or . == "data: [DONE]" then empty
    elif startswith("data: ") then
      .[6:] | fromjson |
      if .error then "\n" + .error.message + "\n" | halt_error(1)
      elif .usage then "\n[\(.usage.completion_tokens) tokens]\n"
      else .choices[0].delta.content // empty end
    else (fromjson? | .error.message // .) // . | "\n" + . + "\n" | halt_error(1) end'
