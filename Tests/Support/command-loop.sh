# Sourced by the server scripts of Tests/Support: `command_loop PARENT_PID` reads one command a line on
# stdin and runs `handle_command COMMAND` (defined by the script) for each, until `quit`, the end of stdin
# (the test process closed it, or died), or PARENT_PID is gone. The script's trap then stops its server.

# Alive and not a zombie: a test process that crashed stays a zombie until its parent (swift test)
# reaps it, and swift test may first wait for the output a script still holds.
parent_alive() {
  [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

command_loop() {
  while parent_alive "$1"; do
    if read -r -t 1 command; then
      [ "$command" = quit ] && exit 0
      handle_command "$command"
    elif [ $? -le 128 ]; then
      exit 0 # end of stdin
    fi
  done
}
