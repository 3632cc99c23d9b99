from stance.train.run import main

main()
