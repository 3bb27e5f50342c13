# conda-shell for csh and tcsh, sourced by the `conda_shell` alias that
# `conda-shell hook --shell csh` defines (with $__conda_shell_args and $__conda_shell_exe set).
# Which commands change this shell is decided by sh: csh re-expands words in `foreach`.
/bin/sh -c 'case " $* " in *" --spawn "*|*" --json "*) exit 1;; esac; case "$1" in activate|deactivate|reactivate) exit 0;; esac; exit 1' conda_shell $__conda_shell_args:q
if ( $status == 0 ) then
    set __conda_shell_eval = 1
    set __conda_shell_cmd = "$__conda_shell_args[1]:q"
else
    set __conda_shell_eval = 0
endif
if ( $__conda_shell_eval == 1 ) then
    set __conda_shell_file = "`mktemp -t conda-shell.XXXXXXXX`"
    "$__conda_shell_exe:q" "$__conda_shell_cmd:q" --eval --shell csh $__conda_shell_args[2-]:q >! "$__conda_shell_file:q"
    set __conda_shell_status = $status
    if ( $__conda_shell_status == 0 ) source "$__conda_shell_file:q"
    rm -f -- "$__conda_shell_file:q"
    if ( $?prompt ) then
        if ( ! $?__conda_shell_prompt ) set __conda_shell_prompt = "$prompt:q"
        if ( $?CONDA_PROMPT_MODIFIER ) then
            if ( $?tcsh ) then
                set prompt = "${CONDA_PROMPT_MODIFIER:gs/%/%%/}$__conda_shell_prompt:q"
            else
                set prompt = "$CONDA_PROMPT_MODIFIER:q$__conda_shell_prompt:q"
            endif
        else
            set prompt = "$__conda_shell_prompt:q"
            unset __conda_shell_prompt
        endif
    endif
    rehash
else
    "$__conda_shell_exe:q" $__conda_shell_args:q
    set __conda_shell_status = $status
endif
unset __conda_shell_cmd __conda_shell_eval __conda_shell_file __conda_shell_args
/bin/sh -c "exit $__conda_shell_status"
